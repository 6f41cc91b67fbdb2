CREATE TABLE `file_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`fileid` integer NOT NULL,
	`owner` text NOT NULL,
	`timestamp` integer NOT NULL,
	`mtime` integer NOT NULL,
	`etag` text NOT NULL,
	`size` integer NOT NULL,
	`content_type` text NOT NULL,
	`checksums` text,
	`segments` text NOT NULL,
	`label` text,
	`author` text,
	FOREIGN KEY (`fileid`) REFERENCES `files`(`fileid`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`owner`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `file_versions_file_timestamp` ON `file_versions` (`fileid`,`timestamp`);--> statement-breakpoint
CREATE INDEX `file_versions_owner` ON `file_versions` (`owner`,`timestamp`);--> statement-breakpoint
CREATE TABLE `trash_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user` text NOT NULL,
	`owner` text NOT NULL,
	`fileid` integer NOT NULL,
	`name` text NOT NULL,
	`original_location` text NOT NULL,
	`deleted_at` integer NOT NULL,
	`deleted_by` text NOT NULL,
	`size` integer NOT NULL,
	FOREIGN KEY (`user`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`owner`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`fileid`) REFERENCES `files`(`fileid`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `trash_items_user_deleted` ON `trash_items` (`user`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `trash_items_fileid` ON `trash_items` (`fileid`);