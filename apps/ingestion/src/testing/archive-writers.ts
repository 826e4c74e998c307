import { crc32, deflateRawSync } from 'node:zlib';
import { Header, type HeaderData } from 'tar';

const TAR_BLOCK_BYTES = 512;

/**
 * Encodes one raw tar entry (header block and padded body) without any of the path clean-up
 * that tar.create applies, so tests can build archives with unsafe names and links.
 */
export function tarEntry(data: HeaderData & { body?: Buffer }): Buffer {
  const body = data.body ?? Buffer.alloc(0);
  const header = new Header({ mode: 0o644, mtime: new Date(0), ...data, size: data.type === 'File' || data.type === undefined ? body.length : 0 });
  const block = Buffer.alloc(TAR_BLOCK_BYTES);
  header.encode(block, 0);
  const padding = (TAR_BLOCK_BYTES - (body.length % TAR_BLOCK_BYTES)) % TAR_BLOCK_BYTES;
  return Buffer.concat([block, body, Buffer.alloc(padding)]);
}

/** Joins tar entries and appends the two zero blocks that end an archive. */
export function tarArchive(entries: Buffer[]): Buffer {
  return Buffer.concat([...entries, Buffer.alloc(2 * TAR_BLOCK_BYTES)]);
}

export interface ZipEntrySpec {
  name: string;
  body?: Buffer;
  /** Store the target of a Unix symbolic link instead of a file. */
  symlinkTarget?: string;
  /** Compress with deflate (default) or store as is. */
  deflate?: boolean;
}

const UNIX_REGULAR_FILE_MODE = 0o100644;
const UNIX_DIRECTORY_MODE = 0o040755;
const UNIX_SYMLINK_MODE = 0o120777;
const UTF8_NAME_FLAG = 0x0800;

/**
 * Builds a zip archive with UTF-8 names and Unix modes, written as Info-ZIP on Linux writes them.
 * Entries whose name ends in "/" are folders.
 */
export function zipArchive(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const isFolder = entry.name.endsWith('/');
    const data = entry.symlinkTarget !== undefined ? Buffer.from(entry.symlinkTarget, 'utf8') : (entry.body ?? Buffer.alloc(0));
    const deflate = entry.deflate !== false && !isFolder && entry.symlinkTarget === undefined;
    const stored = deflate ? deflateRawSync(data) : data;
    const checksum = crc32(data);
    let mode = UNIX_REGULAR_FILE_MODE;
    if (isFolder) mode = UNIX_DIRECTORY_MODE;
    if (entry.symlinkTarget !== undefined) mode = UNIX_SYMLINK_MODE;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(UTF8_NAME_FLAG, 6);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(checksum, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, stored);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(UTF8_NAME_FLAG, 8);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(checksum, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(mode * 0x10000, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + stored.length;
  }

  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
