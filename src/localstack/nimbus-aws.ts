#!/usr/bin/env node
// nimbus-aws: the AWS CLI pointed at Nimbus (`nimbus-aws s3 ls`), as LocalStack's awslocal.
import { runAws } from './awslocal.js';

process.exitCode = await runAws(process.argv.slice(2));
