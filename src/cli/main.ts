// Placeholder until the CLI lands (issue: the resilient CLI).
import { exitCodeOf, ResilientError } from '../errors.ts';

const error = new ResilientError('USAGE', 'resilient: no commands are wired yet');
console.error(error.message);
process.exitCode = exitCodeOf(error);
