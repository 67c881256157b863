extension Tensor {
    /// Batch normalisation over N, H and W per channel, as PyTorch's
    /// `batch_norm`:
    /// ```
    /// y = (x - μ) / sqrt(σ² + ε) · scale + shift
    /// ```
    /// In training, μ and σ² are the batch mean and biased variance, and the
    /// running statistics are updated in place as PyTorch does:
    /// ```
    /// running_mean = (1 - momentum) · running_mean + momentum · μ
    /// running_var  = (1 - momentum) · running_var  + momentum · σ² · m / (m - 1)
    /// ```
    /// with m = N·H·W. Otherwise μ and σ² are the running statistics.
    /// - Parameters:
    ///   - scale, shift: `[C]` (PyTorch's `weight` and `bias`).
    ///   - runningMean, runningVariance: `[C]`, updated in training.
    ///   - training: batch statistics (true) or running statistics (false).
    ///   - momentum: weight of the new batch in the running statistics.
    ///   - epsilon: ε, added to the variance.
    ///   - fusedReLU: apply `max(y, 0)` in the same pass (oneDNN's
    ///     `dnnl_fuse_norm_relu`), as batch norm followed by ReLU.
    /// - Returns: the input's shape, `[N, C, H, W]`.
    public func batchNormalization(
        scale: Tensor, shift: Tensor, runningMean: Tensor, runningVariance: Tensor,
        training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5, fusedReLU: Bool = false
    ) -> Tensor {
        precondition(shape.count == 4, "batch normalisation needs [N, C, H, W], got \(shape)")
        let c = shape[1]
        for (name, tensor) in [("scale", scale), ("shift", shift), ("running mean", runningMean),
                               ("running variance", runningVariance)] {
            precondition(tensor.shape == [c], "batch normalisation \(name) must be [\(c)] for input \(shape), got \(tensor.shape)")
        }
        let elementsPerChannel = shape[0] * shape[2] * shape[3]
        precondition(!training || elementsPerChannel > 1,
                     "batch normalisation in training needs more than one value per channel, got input \(shape)")

        let records = Tensor.recordsGradient([self, scale, shift])
        let data = descriptor, channels = MemoryDescriptor([c])
        let globalStatistics = !training
        let key = "batch normalisation \(Layouts.descriptorKey(data)) \(epsilon) training \(training) "
            + "records \(records) relu \(fusedReLU)"
        let forward = PrimitiveCache.primitive("\(key) forward") {
            DNNLOperation.batchNormalizationForward(
                data: data, epsilon: epsilon, training: records, globalStatistics: globalStatistics,
                fusedReLU: fusedReLU)
        }

        // Forward; batch statistics come out of it in training.
        let output = Tensor(shape: shape, storage: Layouts.allocate(data), layout: layout)
        let mean = training ? Storage(count: c) : runningMean.storage
        let variance = training ? Storage(count: c) : runningVariance.storage
        var arguments = [
            Argument(.source, data, storage), Argument(.destination, data, output.storage),
            Argument(.mean, channels, mean), Argument(.variance, channels, variance),
            Argument(.scale, channels, scale.storage), Argument(.shift, channels, shift.storage),
        ]
        // With a fused ReLU, training keeps a workspace: where the output was positive.
        var workspace: (MemoryDescriptor, Storage)?
        if records && fusedReLU {
            let workspaceLayout = forward.query(.workspace)
            let buffer = Layouts.allocate(workspaceLayout)
            arguments.append(Argument(.workspace, workspaceLayout, buffer))
            workspace = (workspaceLayout, buffer)
        }
        forward.execute(arguments)

        // Running statistics, with the unbiased batch variance as PyTorch.
        if training {
            let correction = Float(elementsPerChannel) / Float(elementsPerChannel - 1)
            let runningMeans = runningMean.storage.pointer, runningVariances = runningVariance.storage.pointer
            for channel in 0..<c {
                runningMeans[channel] = (1 - momentum) * runningMeans[channel] + momentum * mean.pointer[channel]
                runningVariances[channel] = (1 - momentum) * runningVariances[channel]
                    + momentum * variance.pointer[channel] * correction
            }
        }
        guard records else { return output }

        // The statistics used in the forward pass are kept for the backward pass.
        let usedMean = training ? mean : runningMean.storage.copy()
        let usedVariance = training ? variance : runningVariance.storage.copy()
        let name = fusedReLU ? "batch normalisation and relu" : "batch normalisation"
        return output.recorded(name, inputs: [self, scale, shift]) { [self] gradient in
            let backward = PrimitiveCache.primitive("\(key) backward") {
                DNNLOperation.batchNormalizationBackward(
                    data: data, epsilon: epsilon, globalStatistics: globalStatistics, fusedReLU: fusedReLU,
                    hint: forward)
            }
            let sourceGradient = Layouts.allocate(data)
            let scaleGradient = Storage(count: c), shiftGradient = Storage(count: c)
            var arguments = [
                Argument(.source, data, self.storage), Argument(.destinationGradient, data, gradient),
                Argument(.mean, channels, usedMean), Argument(.variance, channels, usedVariance),
                Argument(.scale, channels, scale.storage), Argument(.shift, channels, shift.storage),
                Argument(.sourceGradient, data, sourceGradient),
                Argument(.scaleGradient, channels, scaleGradient),
                Argument(.shiftGradient, channels, shiftGradient),
            ]
            if let (workspaceLayout, buffer) = workspace {
                arguments.append(Argument(.workspace, workspaceLayout, buffer))
            }
            backward.execute(arguments)
            if self.requiresGradient { self.accumulateGradient(sourceGradient, layout: data) }
            if scale.requiresGradient { scale.accumulateGradient(scaleGradient) }
            if shift.requiresGradient { shift.accumulateGradient(shiftGradient) }
        }
    }
}
