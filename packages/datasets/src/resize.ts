/**
 * Bilinear resize of one HWC image with half-pixel centres (the convention of
 * OpenCV and PIL without antialiasing), so an image resized to its own size is
 * unchanged.
 */
export function resizeBilinear(
  pixels: Float32Array,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  if (outHeight === height && outWidth === width) return pixels;
  const out = new Float32Array(outHeight * outWidth * channels);
  const rowScale = height / outHeight;
  const colScale = width / outWidth;
  for (let y = 0; y < outHeight; y++) {
    const sy = Math.min(Math.max((y + 0.5) * rowScale - 0.5, 0), height - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, height - 1);
    const fy = sy - y0;
    for (let x = 0; x < outWidth; x++) {
      const sx = Math.min(Math.max((x + 0.5) * colScale - 0.5, 0), width - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, width - 1);
      const fx = sx - x0;
      for (let c = 0; c < channels; c++) {
        const at = (row: number, col: number): number => pixels[(row * width + col) * channels + c]!;
        const top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
        const bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
        out[(y * outWidth + x) * channels + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}
