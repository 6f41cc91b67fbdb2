CREATE TABLE `login_flows` (
	`login_token_hash` text PRIMARY KEY NOT NULL,
	`poll_token_hash` text,
	`version` integer NOT NULL,
	`client_name` text NOT NULL,
	`browser_hash` text,
	`csrf_hash` text,
	`user_id` text,
	`login_name` text,
	`granted` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `login_flows_poll_token_hash` ON `login_flows` (`poll_token_hash`);--> statement-breakpoint
CREATE INDEX `login_flows_expires` ON `login_flows` (`expires_at`);