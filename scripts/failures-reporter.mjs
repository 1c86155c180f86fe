// A second test reporter: repeats every failed test, with its file and error, after the run ends.
// CI keeps only the tail of a long log; a failure in the middle of 2,000 TAP lines was invisible.
// With NIMBUS_FAILED_FILES set, it also writes the failed files there (one per line) for a rerun.
import { writeFileSync } from 'node:fs';

export default async function* failures(source) {
  const failed = [];
  for await (const { type, data } of source) {
    // a parent whose subtests failed is reported by those subtests
    if (type === 'test:fail' && data.details?.error?.failureType !== 'subtestsFailed') failed.push(data);
  }
  if (process.env.NIMBUS_FAILED_FILES)
    writeFileSync(process.env.NIMBUS_FAILED_FILES, [...new Set(failed.map((f) => f.file).filter(Boolean))].join('\n'));
  if (failed.length === 0) return;
  let report = `\n# ${failed.length} failed:\n`;
  for (const { name, file, line, details } of failed) {
    const error = details?.error?.cause ?? details?.error;
    const text = String(error?.stack ?? error)
      .split('\n')
      .filter((l) => !/\(node:|^\s+at node:/.test(l))
      .slice(0, 15);
    report += `# ✗ ${name} (${file ?? '?'}${line ? `:${line}` : ''})\n${text.map((l) => `#     ${l}`).join('\n')}\n`;
  }
  if (process.env.NIMBUS_FAILED_FILES) writeFileSync(`${process.env.NIMBUS_FAILED_FILES}.txt`, report);
  yield report;
}
