export type { Dataset, ImageSet, Images } from './types.ts';
export { loadDataset, DATASET_SPEC_FORMS } from './registry.ts';
export type { LoadDatasetOptions } from './registry.ts';
export { loadMnist, MNIST_SPLIT_FILE } from './mnist.ts';
export {
  loadFashionMnist,
  fashionMnistDir,
  DEFAULT_FASHION_MNIST_DIR,
  FASHION_MNIST_DIR_ENV,
  FASHION_MNIST_CLASS_NAMES,
} from './fashionMnist.ts';
export type { FashionMnistOptions } from './fashionMnist.ts';
export { loadCifar10, loadCifar100, parseCifarRecords, CIFAR10_CLASS_NAMES } from './cifar.ts';
export type { Cifar100Options } from './cifar.ts';
export { parseIdx, readIdxFile, loadIdxPair, idxToImageSet } from './idx.ts';
export type { IdxArray, IdxDataType } from './idx.ts';
export { loadImageFolder } from './imageFolder.ts';
export type { ImageFolderOptions } from './imageFolder.ts';
export { decodeImage } from './decodeImage.ts';
export type { RgbImage } from './decodeImage.ts';
export { resizeBilinear } from './resize.ts';
export { splitIndices, splitImageSet } from './split.ts';
export type { SplitIndices, SplitOptions } from './split.ts';
export { selectSamples } from './select.ts';
export type { SelectOptions } from './select.ts';
export { subset, concatImageSets, imageSize, describeImageShape } from './imageSet.ts';
export { toModelBatch, fromModelBatch } from './toModelBatch.ts';
export type { ImageGeometry, ModelBatch, ModelInput } from './toModelBatch.ts';
export { encodePng } from './png.ts';
export { pickTriggerCandidates, triggerSelectionFor } from './triggerCandidates.ts';
export type { TriggerCandidates, TriggerSelection } from './triggerCandidates.ts';
export { fragilizeFromDataset } from './fragilizeFromDataset.ts';
export type { FragilizeFromDatasetOptions, FragilizedFromDataset } from './fragilizeFromDataset.ts';
