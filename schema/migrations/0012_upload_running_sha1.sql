ALTER TABLE `upload_chunks` ADD `sha1_state` text;--> statement-breakpoint
ALTER TABLE `upload_chunks` ADD `sha1_after` text;