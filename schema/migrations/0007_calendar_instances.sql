CREATE TABLE `calendar_instance_cover` (
	`object_id` integer PRIMARY KEY NOT NULL,
	`calendar_id` integer NOT NULL,
	`cover_from` integer,
	`cover_to` integer,
	`floating` integer NOT NULL,
	`indexed_at` integer NOT NULL,
	FOREIGN KEY (`object_id`) REFERENCES `calendar_objects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `calendar_instance_cover_to` ON `calendar_instance_cover` (`calendar_id`,`cover_to`);--> statement-breakpoint
CREATE INDEX `calendar_instance_cover_from` ON `calendar_instance_cover` (`calendar_id`,`cover_from`);--> statement-breakpoint
CREATE TABLE `calendar_instances` (
	`object_id` integer NOT NULL,
	`calendar_id` integer NOT NULL,
	`start` integer NOT NULL,
	`end` integer NOT NULL,
	`long` integer NOT NULL,
	FOREIGN KEY (`object_id`) REFERENCES `calendar_objects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `calendar_instances_range` ON `calendar_instances` (`calendar_id`,`long`,`start`,`end`,`object_id`);--> statement-breakpoint
CREATE INDEX `calendar_instances_object` ON `calendar_instances` (`object_id`);--> statement-breakpoint
-- Events stored before the index existed: covered nowhere (cover_from > cover_to), so queries evaluate them from their text until a query indexes them lazily.
INSERT INTO `calendar_instance_cover` (`object_id`, `calendar_id`, `cover_from`, `cover_to`, `floating`, `indexed_at`) SELECT `id`, `calendar_id`, 1, 0, 0, 0 FROM `calendar_objects` WHERE `component` = 'VEVENT';
--> statement-breakpoint
-- Any write of an event's text leaves it covered nowhere until its index is written (CalendarService.put does so in the same batch; other writers get it indexed lazily): an index can lag, never lie.
CREATE TRIGGER `calendar_objects_instances_insert` AFTER INSERT ON `calendar_objects` WHEN NEW.`component` = 'VEVENT' BEGIN
	INSERT OR REPLACE INTO `calendar_instance_cover` (`object_id`, `calendar_id`, `cover_from`, `cover_to`, `floating`, `indexed_at`) VALUES (NEW.`id`, NEW.`calendar_id`, 1, 0, 0, 0);
END;
--> statement-breakpoint
CREATE TRIGGER `calendar_objects_instances_update` AFTER UPDATE OF `data`, `calendar_id`, `component` ON `calendar_objects` BEGIN
	DELETE FROM `calendar_instances` WHERE `object_id` = NEW.`id`;
	DELETE FROM `calendar_instance_cover` WHERE `object_id` = NEW.`id`;
	INSERT INTO `calendar_instance_cover` (`object_id`, `calendar_id`, `cover_from`, `cover_to`, `floating`, `indexed_at`) SELECT NEW.`id`, NEW.`calendar_id`, 1, 0, 0, 0 WHERE NEW.`component` = 'VEVENT';
END;
