// `import 'mmguard/workerd-engine'`: a side effect only. On workerd it makes
// ImageDetector.create() and AudioDetector.create() work, by importing the
// detectors' engine module (about 2 MB gzipped) into the deployment.
// Elsewhere it is an empty module: browsers and Node.js load the engine
// themselves.
export {};
