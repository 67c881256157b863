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
            DNNLOperation.poolingForward(
                source: source, destination: destination, average: false,
                window: window, stride: window, padding: 0, training: records)
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
                DNNLOperation.poolingBackward(
                    sourceGradient: source, destinationGradient: destination, average: false,
                    window: window, stride: window, padding: 0, hint: forward)
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

    /// The sum over the `(2r + 1)` x `(2r + 1)` square centred on each pixel,
    /// reading zero outside the image (a box filter, by oneDNN's average
    /// pooling that counts padding, times the window area):
    /// ```
    /// y[n,c,i,j] = Σ_{|u| ≤ r, |v| ≤ r} x[n, c, i + u, j + v]
    /// ```
    /// - Parameter radius: r, at least 0.
    /// - Returns: the input's shape.
    public func boxSum(radius: Int) -> Tensor {
        precondition(shape.count == 4, "box sum needs [N, C, H, W], got \(shape)")
        precondition(radius >= 0, "box sum radius must be >= 0, got \(radius)")
        let window = 2 * radius + 1
        let data = MemoryDescriptor(shape)
        let key = "box sum \(shape) \(radius)"
        let records = Tensor.recordsGradient([self])
        let forward = PrimitiveCache.primitive("\(key) forward \(records)") {
            DNNLOperation.poolingForward(
                source: data, destination: data, average: true,
                window: window, stride: 1, padding: radius, training: records)
        }
        let average = Tensor.zeros(shape)
        forward.execute([Argument(.source, data, storage), Argument(.destination, data, average.storage)])
        let area = Float(window * window)
        Kernels.linear(into: average.storage, average.storage, alpha: area, beta: 0, count: count)
        return average.recorded("box sum", inputs: [self]) { [self] gradient in
            let backward = PrimitiveCache.primitive("\(key) backward") {
                DNNLOperation.poolingBackward(
                    sourceGradient: data, destinationGradient: data, average: true,
                    window: window, stride: 1, padding: radius, hint: forward)
            }
            let sourceGradient = Storage(count: self.count)
            backward.execute([Argument(.destinationGradient, data, gradient), Argument(.sourceGradient, data, sourceGradient)])
            Kernels.linear(into: sourceGradient, sourceGradient, alpha: area, beta: 0, count: self.count)
            self.accumulateGradient(sourceGradient)
        }
    }
}
