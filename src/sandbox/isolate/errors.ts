// The plain Error a script gets for a mistake in how it uses what it was handed.
import { ErrorCtor } from './intrinsics.js';

export function fail(message: string): never {
  throw new ErrorCtor(message);
}
