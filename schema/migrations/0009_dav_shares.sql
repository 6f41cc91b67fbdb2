CREATE TABLE `addressbook_share_views` (
	`resource_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`hidden` integer DEFAULT 0 NOT NULL,
	`displayname` text,
	`color` text,
	`sort_order` integer,
	PRIMARY KEY(`resource_id`, `user_id`),
	FOREIGN KEY (`resource_id`) REFERENCES `addressbooks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `addressbook_shares` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`resource_id` integer NOT NULL,
	`user_id` text,
	`group_id` text,
	`access` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`resource_id`) REFERENCES `addressbooks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "addressbook_shares_one_sharee" CHECK((user_id IS NULL) <> (group_id IS NULL) AND access IN (1, 2))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `addressbook_shares_user` ON `addressbook_shares` (`resource_id`,`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `addressbook_shares_group` ON `addressbook_shares` (`resource_id`,`group_id`);--> statement-breakpoint
CREATE INDEX `addressbook_shares_by_user` ON `addressbook_shares` (`user_id`);--> statement-breakpoint
CREATE INDEX `addressbook_shares_by_group` ON `addressbook_shares` (`group_id`);--> statement-breakpoint
CREATE TABLE `calendar_share_views` (
	`resource_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`hidden` integer DEFAULT 0 NOT NULL,
	`displayname` text,
	`color` text,
	`sort_order` integer,
	PRIMARY KEY(`resource_id`, `user_id`),
	FOREIGN KEY (`resource_id`) REFERENCES `calendars`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `calendar_shares` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`resource_id` integer NOT NULL,
	`user_id` text,
	`group_id` text,
	`access` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`resource_id`) REFERENCES `calendars`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "calendar_shares_one_sharee" CHECK((user_id IS NULL) <> (group_id IS NULL) AND access IN (1, 2))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `calendar_shares_user` ON `calendar_shares` (`resource_id`,`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `calendar_shares_group` ON `calendar_shares` (`resource_id`,`group_id`);--> statement-breakpoint
CREATE INDEX `calendar_shares_by_user` ON `calendar_shares` (`user_id`);--> statement-breakpoint
CREATE INDEX `calendar_shares_by_group` ON `calendar_shares` (`group_id`);