export { withExifOrientation } from './exif.js';
