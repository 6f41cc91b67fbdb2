CREATE TABLE `group_members` (
	`group_id` text NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`group_id`, `user_id`),
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `group_members_user` ON `group_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `groups` (
	`id` text PRIMARY KEY NOT NULL,
	`display_name` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `login_failures` (
	`key` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`display_name` text NOT NULL,
	`email` text,
	`password_hash` text NOT NULL,
	`quota` integer,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`last_login` integer
);
--> statement-breakpoint
CREATE INDEX `users_email` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `batch_guards` (
	`etag_matches` integer DEFAULT 1 NOT NULL,
	`quota_available` integer DEFAULT 1 NOT NULL,
	`target_free` integer DEFAULT 1 NOT NULL,
	`source_unchanged` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `files` (
	`fileid` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner` text NOT NULL,
	`path` text NOT NULL,
	`parent_id` integer,
	`name` text NOT NULL,
	`is_dir` integer NOT NULL,
	`size` integer DEFAULT 0 NOT NULL,
	`mtime` integer NOT NULL,
	`created_at` integer NOT NULL,
	`etag` text NOT NULL,
	`content_type` text NOT NULL,
	`checksums` text,
	`segments` text,
	FOREIGN KEY (`owner`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `files_owner_path` ON `files` (`owner`,`path`);--> statement-breakpoint
CREATE INDEX `files_parent` ON `files` (`parent_id`);--> statement-breakpoint
CREATE TABLE `locks` (
	`token` text PRIMARY KEY NOT NULL,
	`owner` text NOT NULL,
	`path` text NOT NULL,
	`depth` integer NOT NULL,
	`exclusive` integer NOT NULL,
	`owner_xml` text,
	`principal` text NOT NULL,
	`timeout_seconds` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`owner`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `locks_owner_path` ON `locks` (`owner`,`path`);--> statement-breakpoint
CREATE TABLE `properties` (
	`fileid` integer NOT NULL,
	`name` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`fileid`, `name`),
	FOREIGN KEY (`fileid`) REFERENCES `files`(`fileid`) ON UPDATE no action ON DELETE cascade
);
