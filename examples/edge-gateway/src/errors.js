// The gateway's error type and its one JSON shape, { error: { code, message } },
// so every refusal, from a bad token to a malformed upload, reads the same
// and clients branch on a stable `code`.

export class GatewayError extends Error {
  /** `extra` joins the JSON body (e.g. reports); `headers` the response. */
  constructor(status, code, message, { extra, headers } = {}) {
    super(message);
    this.name = 'GatewayError';
    this.status = status;
    this.code = code;
    this.extra = extra;
    this.headers = headers;
  }
}

export function errorResponse(status, code, message, { extra, headers } = {}) {
  return Response.json({ error: { code, message }, ...extra }, { status, headers });
}

export function responseFor(err) {
  return errorResponse(err.status, err.code, err.message, { extra: err.extra, headers: err.headers });
}
