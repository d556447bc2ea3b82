// A minimal worker that sanitizes the request body with the package's
// "workerd" entry point: POST text to any path, get { text, report } back as
// JSON; POST an image to /image or a recording to /audio, get the clean file
// back with the report in the x-mmguard-report header (URI-encoded JSON).
// /detect scores text with the text detector, its model imported as a Data
// module; /create-without-model shows what Guard.create() says without it.
import { Guard, MmguardError, init } from 'pkg/workerd.js';
import textModel from 'pkg/models/text-injection.onnx';

export default {
  async fetch(request) {
    await init();
    const policy = request.headers.get('x-policy');
    let guard;
    try {
      const path = new URL(request.url).pathname;
      const parsed = policy ? JSON.parse(policy) : undefined;
      if (path === '/detect') {
        guard = await Guard.create(parsed, { detectors: { text: textModel } });
      } else if (path === '/create-without-model') {
        guard = await Guard.create(parsed);
      } else {
        guard = new Guard(parsed);
      }
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
