/**
 * A minimal POSIX ustar archive of regular files (POSIX.1-1988 header layout), enough for `tar -x`:
 * one gzip stream over all server files compresses far better than one per file, which is what keeps
 * the user data under 16 KB.
 */
export function ustar(files: readonly { readonly name: string; readonly content: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const file of files) {
    if (Buffer.byteLength(file.name) > 100) throw new Error(`tar entry name too long: ${file.name}`);
    const body = Buffer.from(file.content, 'utf8');
    const header = Buffer.alloc(512);
    header.write(file.name, 0, 100, 'utf8');
    header.write('0000644\0', 100, 8, 'ascii'); // mode
    header.write('0000000\0', 108, 8, 'ascii'); // uid
    header.write('0000000\0', 116, 8, 'ascii'); // gid
    header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii'); // size
    header.write('00000000000\0', 136, 12, 'ascii'); // mtime: fixed, so the archive is reproducible
    header.write('        ', 148, 8, 'ascii'); // checksum placeholder: spaces while summing
    header.write('0', 156, 1, 'ascii'); // regular file
    header.write('ustar\u000000', 257, 8, 'ascii'); // magic "ustar\0" + version "00"
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(blocks);
}
