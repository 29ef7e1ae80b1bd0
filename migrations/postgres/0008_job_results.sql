-- What a query job returned (JSON of the wire's QueryRows), kept with the job.
ALTER TABLE cloud_link_jobs ADD COLUMN result TEXT;
