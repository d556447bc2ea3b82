// A minimal worker that sanitizes the request body with the package's
// "workerd" entry point: POST text to any path, get { text, report } back as
// JSON; POST an image to /image or a recording to /audio, get the clean file
// back with the report in the x-mmguard-report header (URI-encoded JSON).
// /detect scores text with the text detector, its model imported as a Data
// module; /create-without-model shows what Guard.create() says without it.
// /image-detect and /audio-detect run the image and audio detectors, whose
// engine the opt-in pkg/workerd-engine.js brings; /upload sanitizes a
// multipart body with guardUpload and describes what it would forward.
import { AudioDetector, Guard, ImageDetector, MmguardError, guardUpload, init } from 'pkg/workerd.js';
import 'pkg/workerd-engine.js';
import textModel from 'pkg/models/text-injection.onnx';
import imageModel from 'pkg/models/image-adversarial.onnx';
import audioModel from 'pkg/models/audio-adversarial.onnx';

// Made once per isolate, at the first request that needs them.
let imageDetector;
let audioDetector;

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
      } else if (path === '/image-detect') {
        imageDetector ??= await ImageDetector.create(imageModel);
        guard = new Guard(parsed, { detectors: { imageAdversarial: imageDetector } });
      } else if (path === '/audio-detect') {
        audioDetector ??= await AudioDetector.create(audioModel);
        guard = new Guard(parsed, { detectors: { audio: audioDetector } });
      } else {
        guard = new Guard(parsed);
      }
      if (path === '/upload') {
        const { body, reports } = await guardUpload(guard, await request.formData());
        const parts = [];
        for (const [name, value] of body.entries()) {
          parts.push(typeof value === 'string' ? { name, text: value } : { name, file: value.name, type: value.type, size: value.size });
        }
        return Response.json({ parts, verdicts: reports.map((r) => r.report.verdict) });
      }
      if (path === '/image' || path === '/audio' || path === '/image-detect' || path === '/audio-detect') {
        const bytes = new Uint8Array(await request.arrayBuffer());
        const type = request.headers.get('content-type') ?? undefined;
        const result = path.startsWith('/image') ? await guard.image(bytes, { type }) : await guard.audio(bytes, { type });
        const headers = { 'x-mmguard-report': encodeURIComponent(JSON.stringify(result.report)) };
        if (!result.bytes) return new Response(null, { status: 422, headers });
        return new Response(result.bytes, { headers: { ...headers, 'content-type': result.mimeType } });
      }
      return Response.json(guard.text(await request.text()));
    } catch (e) {
      if (e instanceof MmguardError) return Response.json({ error: { code: e.code, message: e.message } }, { status: e.code === 'upload.blocked' ? 422 : 400 });
      throw e;
    } finally {
      guard?.free();
    }
  },
};
