extension Tensor {
    /// Bilinear resampling to `height` x `width`, as PyTorch's
    /// `interpolate(x, size, mode="bilinear", align_corners=False)`: output
    /// pixel centre i reads the input at
    /// ```
    /// s = (i + 0.5) · H_in / H_out - 0.5,  clamped to [0, H_in - 1]
    /// ```
    /// and interpolates linearly between the two nearest rows (and columns).
    /// - Returns: `[N, C, height, width]`.
    public func resizedBilinear(height: Int, width: Int) -> Tensor {
        precondition(shape.count == 4, "bilinear resampling needs [N, C, H, W], got \(shape)")
        precondition(height >= 1 && width >= 1, "bilinear resampling needs a positive size, got \(height) x \(width)")
        let outputShape = [shape[0], shape[1], height, width]
        let records = Tensor.recordsGradient([self])
        let source = descriptor
        let key = "bilinear \(Layouts.descriptorKey(source)) \(outputShape)"
        let forward = PrimitiveCache.primitive("\(key) forward \(records)") {
            DNNLOperation.linearResamplingForward(
                source: source, destination: MemoryDescriptor(outputShape, layout: .any), training: records)
        }
        let destination = forward.query(.destination)
        let output = Tensor(shape: outputShape, storage: Layouts.allocate(destination), layout: destination)
        forward.execute([Argument(.source, source, storage), Argument(.destination, destination, output.storage)])
        return output.recorded("bilinear resampling", inputs: [self]) { [self] gradient in
            let backward = PrimitiveCache.primitive("\(key) backward") {
                DNNLOperation.linearResamplingBackward(
                    sourceGradient: source, destinationGradient: destination, hint: forward)
            }
            let sourceGradient = Layouts.allocate(source)
            backward.execute([
                Argument(.destinationGradient, destination, gradient),
                Argument(.sourceGradient, source, sourceGradient),
            ])
            self.accumulateGradient(sourceGradient, layout: source)
        }
    }
}
