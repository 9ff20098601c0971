/**
 * registry/oci-errors — the OCI distribution spec's error codes with their
 * HTTP statuses, and the error body `{"errors":[{code,message,detail}]}`.
 * The registry server is its own HTTP application, so its statuses live here
 * (not in server/, which serves the Engine API). Imports nothing of ours.
 */

export const OCI_ERROR_STATUS = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
  RANGE_INVALID: 416,
  UNKNOWN: 500,
} as const;

export type OciErrorCode = keyof typeof OCI_ERROR_STATUS;

export class OciError extends Error {
  constructor(readonly code: OciErrorCode, message: string, readonly detail?: unknown, readonly status: number = OCI_ERROR_STATUS[code]) {
    super(message);
    this.name = 'OciError';
  }

  body(): string {
    return JSON.stringify({ errors: [{ code: this.code, message: this.message, detail: this.detail ?? null }] });
  }
}
