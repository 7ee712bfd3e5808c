// Errors of the .NET launch-profile / Kestrel readers, with stable codes.
import { CodedError } from '../errors.ts';

export type DotnetErrorCode =
  | 'DOTNET_FILE_UNREADABLE'
  | 'DOTNET_INVALID_JSON'
  | 'DOTNET_PROFILE_NOT_FOUND'
  | 'DOTNET_INVALID_URL';

export class DotnetError extends CodedError<DotnetErrorCode> {}
