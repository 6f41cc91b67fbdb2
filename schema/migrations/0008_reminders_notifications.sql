CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user` text NOT NULL,
	`app` text NOT NULL,
	`object_type` text NOT NULL,
	`object_id` text NOT NULL,
	`subject` text NOT NULL,
	`message` text NOT NULL,
	`link` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notifications_user` ON `notifications` (`user`,`id`);--> statement-breakpoint
CREATE TABLE `reminder_watermark` (
	`id` integer PRIMARY KEY NOT NULL,
	`sent_up_to` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `reminders_sent` (
	`object_id` integer NOT NULL,
	`instance` integer NOT NULL,
	`trigger_at` integer NOT NULL,
	`action` text NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`object_id`, `instance`, `trigger_at`, `action`)
);
