CREATE TABLE `calendar_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`calendar_id` integer NOT NULL,
	`synctoken` integer NOT NULL,
	`uri` text NOT NULL,
	`operation` integer NOT NULL,
	FOREIGN KEY (`calendar_id`) REFERENCES `calendars`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `calendar_changes_token` ON `calendar_changes` (`calendar_id`,`synctoken`);--> statement-breakpoint
CREATE TABLE `calendar_objects` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`calendar_id` integer NOT NULL,
	`uri` text NOT NULL,
	`etag` text NOT NULL,
	`size` integer NOT NULL,
	`uid` text NOT NULL,
	`component` text NOT NULL,
	`first_start` integer,
	`last_end` integer,
	`data` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_modified` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`calendar_id`) REFERENCES `calendars`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `calendar_objects_uri` ON `calendar_objects` (`calendar_id`,`uri`) WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `calendar_objects_uid` ON `calendar_objects` (`calendar_id`,`uid`) WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX `calendar_objects_time` ON `calendar_objects` (`calendar_id`,`first_start`,`last_end`);--> statement-breakpoint
CREATE TABLE `calendars` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner` text NOT NULL,
	`uri` text NOT NULL,
	`displayname` text,
	`color` text,
	`calendar_order` integer DEFAULT 0 NOT NULL,
	`description` text,
	`timezone` text,
	`components` text NOT NULL,
	`synctoken` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`deleted_at` integer,
	`publish_token` text,
	`source` text,
	`refreshed_at` integer,
	FOREIGN KEY (`owner`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `calendars_owner_uri` ON `calendars` (`owner`,`uri`);--> statement-breakpoint
CREATE UNIQUE INDEX `calendars_publish_token` ON `calendars` (`publish_token`);--> statement-breakpoint
CREATE TABLE `addressbook_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`addressbook_id` integer NOT NULL,
	`synctoken` integer NOT NULL,
	`uri` text NOT NULL,
	`operation` integer NOT NULL,
	FOREIGN KEY (`addressbook_id`) REFERENCES `addressbooks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `addressbook_changes_token` ON `addressbook_changes` (`addressbook_id`,`synctoken`);--> statement-breakpoint
CREATE TABLE `addressbooks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner` text NOT NULL,
	`uri` text NOT NULL,
	`displayname` text,
	`description` text,
	`synctoken` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`owner`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `addressbooks_owner_uri` ON `addressbooks` (`owner`,`uri`);--> statement-breakpoint
CREATE TABLE `cards` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`addressbook_id` integer NOT NULL,
	`uri` text NOT NULL,
	`etag` text NOT NULL,
	`size` integer NOT NULL,
	`uid` text NOT NULL,
	`version` text NOT NULL,
	`fn` text NOT NULL,
	`bday` text,
	`data` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_modified` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`addressbook_id`) REFERENCES `addressbooks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cards_uri` ON `cards` (`addressbook_id`,`uri`) WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `cards_uid` ON `cards` (`addressbook_id`,`uid`) WHERE deleted_at IS NULL;