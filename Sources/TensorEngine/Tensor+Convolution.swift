extension Tensor {
    /// Convolves in 2-D with stride 1, as PyTorch's `conv2d`
    /// (a cross-correlation):
    /// ```
    /// y[n,k,i,j] = b[k] + Σ_c Σ_u Σ_v w[k,c,u,v] · x[n, c, i - p + d·u, j - p + d·v]
    /// ```
    /// with x read as zero outside the image.
    ///
    /// oneDNN runs it in its preferred blocked layout; the input and weights
    /// are reordered into it when they differ, and the output keeps it.
    /// - Parameters:
    ///   - weight: `[K, C, kh, kw]`.
    ///   - bias: `[K]`, or nil.
    ///   - padding: zero rows and columns added on each side, p.
    ///   - dilation: spacing of kernel taps, d (1 for a plain convolution).
    /// - Returns: `[N, K, H + 2p - d(kh-1), W + 2p - d(kw-1)]`.
    public func convolution(weight: Tensor, bias: Tensor? = nil, padding: Int = 0, dilation: Int = 1) -> Tensor {
        precondition(shape.count == 4 && weight.shape.count == 4 && weight.shape[1] == shape[1],
                     "convolution needs input [N, C, H, W] and weight [K, C, kh, kw], got \(shape) and \(weight.shape)")
        precondition(bias == nil || bias!.shape == [weight.shape[0]],
                     "convolution bias must be [\(weight.shape[0])], got \(bias!.shape)")
        precondition(padding >= 0 && dilation >= 1, "padding \(padding) must be >= 0 and dilation \(dilation) >= 1")
        let (n, h, w) = (shape[0], shape[2], shape[3])
        let (k, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        let outputShape = [n, k, h + 2 * padding - dilation * (kh - 1), w + 2 * padding - dilation * (kw - 1)]
        precondition(outputShape[2] > 0 && outputShape[3] > 0,
                     "convolution of input \(shape) with weight \(weight.shape) leaves no output pixels")

        // Descriptors: oneDNN chooses the layouts; inputs are reordered into them.
        let training = Tensor.recordsGradient([self, weight] + (bias.map { [$0] } ?? []))
        let sourceGiven = descriptor
        let biasPlain = MemoryDescriptor([k])
        let key = "convolution \(Layouts.descriptorKey(sourceGiven)) \(weight.shape) \(bias != nil) p\(padding) "
            + "d\(dilation) winograd \(ConvolutionSettings.prefersWinograd)"
        let forward = PrimitiveCache.primitive("\(key) forward \(training)") {
            DNNLOperation.convolutionForward(
                source: MemoryDescriptor(shape, layout: .any), weights: MemoryDescriptor(weight.shape, layout: .any),
                bias: bias == nil ? nil : biasPlain, destination: MemoryDescriptor(outputShape, layout: .any),
                padding: padding, dilation: dilation, training: training,
                winograd: ConvolutionSettings.prefersWinograd)
        }

        // Forward; the output stays in the primitive's layout.
        let sourceLayout = forward.query(.source), weightsLayout = forward.query(.weights)
        let destinationLayout = forward.query(.destination)
        let sourceBlocked = Layouts.convert(storage, from: sourceGiven, to: sourceLayout)
        let weightsBlocked = weight.storage(in: weightsLayout)
        let destination = Layouts.allocate(destinationLayout)
        var arguments = [
            Argument(.source, sourceLayout, sourceBlocked),
            Argument(.weights, weightsLayout, weightsBlocked),
            Argument(.destination, destinationLayout, destination),
        ]
        if let bias { arguments.append(Argument(.bias, biasPlain, bias.storage)) }
        forward.execute(arguments)
        let output = Tensor(shape: outputShape, storage: destination, layout: destinationLayout)
        guard training else { return output }

        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        return output.recorded("convolution", inputs: inputs) { [self] gradient in
            // Gradient with respect to the input.
            if self.requiresGradient {
                let backwardData = PrimitiveCache.primitive("\(key) backward data") {
                    DNNLOperation.convolutionBackwardData(
                        sourceGradient: MemoryDescriptor(shape, layout: .any),
                        weights: MemoryDescriptor(weight.shape, layout: .any),
                        destinationGradient: MemoryDescriptor(outputShape, layout: .any),
                        padding: padding, dilation: dilation, hint: forward)
                }
                let gradientLayout = backwardData.query(.destinationGradient)
                let weightsLayoutData = backwardData.query(.weights)
                let sourceGradientLayout = backwardData.query(.sourceGradient)
                let sourceGradient = Layouts.allocate(sourceGradientLayout)
                backwardData.execute([
                    Argument(.destinationGradient, gradientLayout,
                             Layouts.convert(gradient, from: destinationLayout, to: gradientLayout)),
                    Argument(.weights, weightsLayoutData, weightsLayoutData == weightsLayout
                        ? weightsBlocked : weight.storage(in: weightsLayoutData)),
                    Argument(.sourceGradient, sourceGradientLayout, sourceGradient),
                ])
                self.accumulateGradient(sourceGradient, layout: sourceGradientLayout)
            }

            // Gradients with respect to the weights and the bias.
            if weight.requiresGradient || bias?.requiresGradient == true {
                let backwardWeights = PrimitiveCache.primitive("\(key) backward weights") {
                    DNNLOperation.convolutionBackwardWeights(
                        source: MemoryDescriptor(shape, layout: .any),
                        weightsGradient: MemoryDescriptor(weight.shape, layout: .any),
                        biasGradient: bias == nil ? nil : biasPlain,
                        destinationGradient: MemoryDescriptor(outputShape, layout: .any),
                        padding: padding, dilation: dilation, hint: forward)
                }
                let sourceLayoutWeights = backwardWeights.query(.source)
                let gradientLayout = backwardWeights.query(.destinationGradient)
                let weightsGradientLayout = backwardWeights.query(.weightsGradient)
                let weightsGradient = Layouts.allocate(weightsGradientLayout)
                let biasGradient = Storage(count: k)
                var arguments = [
                    Argument(.source, sourceLayoutWeights, sourceLayoutWeights == sourceLayout
                        ? sourceBlocked : Layouts.convert(self.storage, from: sourceGiven, to: sourceLayoutWeights)),
                    Argument(.destinationGradient, gradientLayout,
                             Layouts.convert(gradient, from: destinationLayout, to: gradientLayout)),
                    Argument(.weightsGradient, weightsGradientLayout, weightsGradient),
                ]
                if bias != nil { arguments.append(Argument(.biasGradient, biasPlain, biasGradient)) }
                backwardWeights.execute(arguments)
                if weight.requiresGradient { weight.accumulateGradient(weightsGradient, layout: weightsGradientLayout) }
                if let bias, bias.requiresGradient { bias.accumulateGradient(biasGradient) }
            }
        }
    }
}

/// Engine-wide convolution choices.
public enum ConvolutionSettings {
    /// Whether 3x3 convolutions with stride 1 and no dilation use Winograd's
    /// F(4x4, 3x3) algorithm where oneDNN implements it (`jit_wino_4x3` on
    /// AVX-512), falling back to the direct algorithm elsewhere. Task local,
    /// so a test can compare both.
    ///
    /// NOTE: Winograd's transforms round differently from the direct sum:
    /// expect differences around 1e-5 relative to PyTorch's direct result.
    @TaskLocal public static var prefersWinograd = true
}
