// Which tab a dropped or chosen file belongs to: 'image', 'audio' or 'text'.
// The declared type and the name are trusted first, as a person would expect
// (a .png goes to the image tab even when its bytes are something else: the
// image guard then says what they are); a file that declares nothing is
// sniffed from its first bytes; UTF-8 without NUL bytes is text; anything
// else goes to the image tab, whose guard names formats it refuses.

const IMAGE_EXTENSIONS = /\.(png|apng|jpe?g|jfif|gif|webp|bmp|heic|heif|avif|tiff?|svg|ico)$/i;
const AUDIO_EXTENSIONS = /\.(wav|wave|flac|mp3|ogg|oga|opus|m4a|mp4a|aac|aiff?|caf|weba|webm|amr)$/i;
const TEXT_EXTENSIONS = /\.(txt|text|md|markdown|csv|tsv|json|jsonl|ya?ml|toml|ini|log|xml|html?|css|js|mjs|ts|py|rs|go|java|c|h|cpp|hpp|cs|rb|php|sh|sql|srt|vtt|eml)$/i;

const startsWith = (bytes, at, ascii) => [...ascii].every((c, i) => bytes[at + i] === c.charCodeAt(0));

/** The kind the first bytes say, or null. */
function sniff(head) {
  if (head[0] === 0x89 && startsWith(head, 1, 'PNG')) return 'image';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image';
  if (startsWith(head, 0, 'GIF8') || startsWith(head, 0, 'BM')) return 'image';
  if (startsWith(head, 0, 'RIFF') && startsWith(head, 8, 'WEBP')) return 'image';
  if (startsWith(head, 0, 'RIFF') && startsWith(head, 8, 'WAVE')) return 'audio';
  if (startsWith(head, 0, 'fLaC') || startsWith(head, 0, 'OggS') || startsWith(head, 0, 'ID3')) return 'audio';
  // An MPEG audio or ADTS frame starts with eleven set bits.
  if (head[0] === 0xff && (head[1] & 0xe0) === 0xe0) return 'audio';
  if (startsWith(head, 4, 'ftyp')) return startsWith(head, 8, 'M4A') || startsWith(head, 8, 'M4B') ? 'audio' : 'image';
  return null;
}

/** True when `bytes` decode as UTF-8 and hold no NUL (a text file, not a binary one). */
function looksLikeText(bytes) {
  if (bytes.includes(0)) return false;
  try {
    // The sample may end inside a character: a cut sequence is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** 'image', 'audio' or 'text' for `file` (a File). */
export async function kindOf(file) {
  const type = file.type.toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('audio/')) return 'audio';
  if (IMAGE_EXTENSIONS.test(file.name)) return 'image';
  if (AUDIO_EXTENSIONS.test(file.name)) return 'audio';
  if (type.startsWith('text/') || type === 'application/json' || TEXT_EXTENSIONS.test(file.name)) return 'text';
  const head = new Uint8Array(await file.slice(0, 64 * 1024).arrayBuffer());
  return sniff(head) ?? (looksLikeText(head) ? 'text' : 'image');
}
