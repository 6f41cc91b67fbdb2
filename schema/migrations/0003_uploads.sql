CREATE TABLE `upload_chunks` (
	`owner` text NOT NULL,
	`upload_id` text NOT NULL,
	`name` text NOT NULL,
	`segments` text NOT NULL,
	`size` integer NOT NULL,
	PRIMARY KEY(`owner`, `upload_id`, `name`),
	FOREIGN KEY (`owner`,`upload_id`) REFERENCES `uploads`(`owner`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `uploads` (
	`owner` text NOT NULL,
	`id` text NOT NULL,
	`destination` text,
	`total_length` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`owner`, `id`),
	FOREIGN KEY (`owner`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `uploads_updated_at` ON `uploads` (`updated_at`);