// Opt-in for workerd (`import 'mmguard/workerd-engine'`): makes the image and
// audio detectors available there. workerd compiles no wasm at run time, so
// the engine module (about 2 MB gzipped) is imported as a module like the
// sanitizer's, which puts it in every deployment that imports this file;
// that is why it is a separate entry and not part of "mmguard" itself.
// The detectors' models are imported as Data modules and passed in:
//   ImageDetector.create(model), AudioDetector.create(model).

import engineModule from './dist/mmguard_engine_bg.wasm';
import * as engine from './dist/mmguard_engine.js';
import { setEngineLoader } from './core.js';

setEngineLoader(async () => {
  engine.initSync({ module: engineModule });
  return engine;
});
