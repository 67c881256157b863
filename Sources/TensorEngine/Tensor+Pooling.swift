extension Tensor {
    /// Max pooling over non-overlapping `window` x `window` squares (stride =
    /// window), as PyTorch's `max_pool2d(x, window)`; trailing rows and
    /// columns that do not fill a window are dropped.
    /// - Returns: `[N, C, H / window, W / window]` (floor division).
    public func maxPooled(window: Int = 2) -> Tensor {
        precondition(shape.count == 4, "max pooling needs [N, C, H, W], got \(shape)")
        precondition(window >= 1 && shape[2] >= window && shape[3] >= window,
                     "max pooling window \(window) does not fit input \(shape)")
        let outputShape = [shape[0], shape[1], shape[2] / window, shape[3] / window]
        let records = Tensor.recordsGradient([self])
        let source = MemoryDescriptor(shape), destination = MemoryDescriptor(outputShape)
        let key = "max pooling \(shape) \(window)"
        let forward = PrimitiveCache.primitive("\(key) forward \(records)") {
            DNNLOperation.maxPoolingForward(source: source, destination: destination, window: window, training: records)
        }

        // Training keeps a workspace: where each maximum came from.
        let output = Tensor.zeros(outputShape)
        var arguments = [Argument(.source, source, storage), Argument(.destination, destination, output.storage)]
        var workspace: Storage?
        if records {
            let layout = forward.query(.workspace)
            let buffer = Layouts.allocate(layout)
            arguments.append(Argument(.workspace, layout, buffer))
            workspace = buffer
        }
        forward.execute(arguments)
        guard let workspace else { return output }

        return output.recorded("max pooling", inputs: [self]) { [self] gradient in
            let backward = PrimitiveCache.primitive("\(key) backward") {
                DNNLOperation.maxPoolingBackward(
                    sourceGradient: source, destinationGradient: destination, window: window, hint: forward)
            }
            let sourceGradient = Storage(count: self.count)
            backward.execute([
                Argument(.destinationGradient, destination, gradient),
                Argument(.workspace, forward.query(.workspace), workspace),
                Argument(.sourceGradient, source, sourceGradient),
            ])
            self.accumulateGradient(sourceGradient)
        }
    }
}
