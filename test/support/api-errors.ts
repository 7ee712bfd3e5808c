// The ApiError a call throws, for asserting on its reason, code and causes.
import { ApiError } from '../../src/api/status.ts';

export function apiErrorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}
