// Every migration, in order. Append only: an applied migration must never change (its checksum is checked).
import type { Migration } from '../migrate.js';
import { initial } from './0001-initial.js';
import { serving } from './0002-serving.js';
import { webhooks } from './0003-webhooks.js';
import { jobs } from './0004-jobs.js';
import { jobQueue } from './0005-job-queue.js';
import { privacy } from './0006-privacy.js';

/** The schema's migrations, oldest first; the last one's version is the schema version this code expects. */
export const MIGRATIONS: readonly Migration[] = [initial, serving, webhooks, jobs, jobQueue, privacy];
