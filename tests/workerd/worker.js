// A minimal worker that sanitizes the request body with the package's
// "workerd" entry point: POST text to any path, get { text, report } back as
// JSON; POST an image to /image or a recording to /audio, get the clean file
// back with the report in the x-mmguard-report header (URI-encoded JSON).
import { Guard, MmguardError, init } from 'pkg/workerd.js';

export default {
  async fetch(request) {
    await init();
    const policy = request.headers.get('x-policy');
    let guard;
    try {
      guard = new Guard(policy ? JSON.parse(policy) : undefined);
      const path = new URL(request.url).pathname;
      if (path === '/image' || path === '/audio') {
        const bytes = new Uint8Array(await request.arrayBuffer());
        const type = request.headers.get('content-type') ?? undefined;
        const result = path === '/image' ? await guard.image(bytes, { type }) : await guard.audio(bytes, { type });
        const headers = { 'x-mmguard-report': encodeURIComponent(JSON.stringify(result.report)) };
        if (!result.bytes) return new Response(null, { status: 422, headers });
        return new Response(result.bytes, { headers: { ...headers, 'content-type': result.mimeType } });
      }
      return Response.json(guard.text(await request.text()));
    } catch (e) {
      if (e instanceof MmguardError) return Response.json({ error: { code: e.code, message: e.message } }, { status: 400 });
      throw e;
    } finally {
      guard?.free();
    }
  },
};
