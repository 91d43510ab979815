/**
 * Pixels without labels: what a model batch converts back to, and what pictures
 * are rendered from. Images are held in one canonical form whatever their source:
 * float32 in [0, 1], HWC order (height, width, channels). Conversion to a model's
 * layout and value range happens once, in `toModelBatch`.
 */
export interface Images {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** `count * height * width * channels` values in [0, 1], HWC per image. */
  readonly pixels: Float32Array;
  readonly count: number;
}

export interface ImageSet extends Images {
  /** Class index of each image. */
  readonly labels: Int32Array;
}

export interface Dataset {
  /** Short identifier, e.g. "mnist", "fashion-mnist", "cifar-10", "folder:/data/x". */
  readonly name: string;
  readonly classNames: readonly string[];
  readonly train: ImageSet;
  readonly test: ImageSet;
  /** Where the data came from, for reports (package name, folder, ...). */
  readonly source: string;
}
