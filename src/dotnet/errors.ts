// Errors of the .NET launch-profile / Kestrel readers, with stable codes.

export type DotnetErrorCode =
  | 'DOTNET_FILE_UNREADABLE'
  | 'DOTNET_INVALID_JSON'
  | 'DOTNET_PROFILE_NOT_FOUND'
  | 'DOTNET_INVALID_URL';

export class DotnetError extends Error {
  readonly code: DotnetErrorCode;

  constructor(code: DotnetErrorCode, message: string) {
    super(message);
    this.name = 'DotnetError';
    this.code = code;
  }
}
