// A minimal worker that sanitizes the request body with the package's
// "workerd" entry point: POST text, get { text, report } back as JSON.
import { Guard, MmguardError, init } from 'pkg/workerd.js';

export default {
  async fetch(request) {
    await init();
    const policy = request.headers.get('x-policy');
    try {
      const guard = new Guard(policy ? JSON.parse(policy) : undefined);
      const result = guard.text(await request.text());
      guard.free();
      return Response.json(result);
    } catch (e) {
      if (e instanceof MmguardError) return Response.json({ error: { code: e.code, message: e.message } }, { status: 400 });
      throw e;
    }
  },
};
