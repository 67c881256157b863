// Clustering: augmentations with exact inverses, IIC and InfoSeg networks and
// objectives, the trainer, and whole-scene inference. Built on TensorEngine.
