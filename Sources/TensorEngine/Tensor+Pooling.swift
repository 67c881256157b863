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
        return pooled(name: "max pooling", average: false, outputShape: outputShape,
                      window: (window, window), stride: window, padding: (0, 0))
    }

    /// Sums the `(2r + 1)` x `(2r + 1)` square centred on each pixel,
    /// reading zero outside the image (a box filter):
    /// ```
    /// y[n,c,i,j] = Σ_{|u| ≤ r, |v| ≤ r} x[n, c, i + u, j + v]
    /// ```
    /// It runs as two one-dimensional sliding sums, O(1) per pixel whatever
    /// the radius; its backward pass is the same box sum of the gradient.
    /// - Parameter radius: r, at least 0.
    /// - Returns: the input's shape.
    public func boxSum(radius: Int) -> Tensor {
        precondition(shape.count == 4, "box sum needs [N, C, H, W], got \(shape)")
        precondition(radius >= 0, "box sum radius must be >= 0, got \(radius)")
        let output = Tensor(shape: shape, storage: Tensor.boxSum(plain, shape: shape, radius: radius))
        return output.recorded("box sum", inputs: [self]) { [self] gradient in
            self.accumulateGradient(Tensor.boxSum(gradient, shape: self.shape, radius: radius))
        }
    }

    /// Computes the box sum of a row-major `[N, C, H, W]` buffer.
    private static func boxSum(_ source: Storage, shape: [Int], radius: Int) -> Storage {
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        let rows = Storage(uninitializedCount: source.count), result = Storage(uninitializedCount: source.count)
        let x = source.pointer, across = rows.pointer, y = result.pointer

        // Sliding sums along each row: add the value entering, drop the one leaving.
        for line in 0..<(planes * h) {
            let base = line * w
            var total: Float = 0
            for j in 0..<min(radius, w) { total += x[base + j] }
            for j in 0..<w {
                if j + radius < w { total += x[base + j + radius] }
                if j - radius - 1 >= 0 { total -= x[base + j - radius - 1] }
                across[base + j] = total
            }
        }

        // The same down each column, a whole row of columns at a time.
        var totals = [Float](repeating: 0, count: w)
        for plane in 0..<planes {
            let base = plane * h * w
            for j in 0..<w { totals[j] = 0 }
            for i in 0..<min(radius, h) { for j in 0..<w { totals[j] += across[base + i * w + j] } }
            for i in 0..<h {
                if i + radius < h { for j in 0..<w { totals[j] += across[base + (i + radius) * w + j] } }
                if i - radius - 1 >= 0 { for j in 0..<w { totals[j] -= across[base + (i - radius - 1) * w + j] } }
                for j in 0..<w { y[base + i * w + j] = totals[j] }
            }
        }
        return result
    }

    /// Runs a oneDNN pooling primitive (the output in the layout it prefers
    /// for this input) and records its backward.
    private func pooled(
        name: String, average: Bool, outputShape: [Int], window: (Int, Int), stride: Int, padding: (Int, Int)
    ) -> Tensor {
        let records = Tensor.recordsGradient([self])
        let source = descriptor
        let key = "\(name) \(Layouts.descriptorKey(source)) \(outputShape) \(window) \(stride) \(padding)"
        let forward = PrimitiveCache.primitive("\(key) forward \(records)") {
            DNNLOperation.poolingForward(
                source: source, destination: MemoryDescriptor(outputShape, layout: .any), average: average,
                window: window, stride: stride, padding: padding, training: records)
        }
        let destination = forward.query(.destination)

        // Max pooling in training keeps a workspace: where each maximum came from.
        let output = Tensor(shape: outputShape, storage: Layouts.allocate(destination), layout: destination)
        var arguments = [Argument(.source, source, storage), Argument(.destination, destination, output.storage)]
        var workspace: (MemoryDescriptor, Storage)?
        if records && !average {
            let workspaceLayout = forward.query(.workspace)
            let buffer = Layouts.allocate(workspaceLayout)
            arguments.append(Argument(.workspace, workspaceLayout, buffer))
            workspace = (workspaceLayout, buffer)
        }
        forward.execute(arguments)

        return output.recorded(name, inputs: [self]) { [self] gradient in
            let backward = PrimitiveCache.primitive("\(key) backward") {
                DNNLOperation.poolingBackward(
                    sourceGradient: source, destinationGradient: destination, average: average,
                    window: window, stride: stride, padding: padding, hint: forward)
            }
            let sourceGradient = Layouts.allocate(source)
            var arguments = [
                Argument(.destinationGradient, destination, gradient),
                Argument(.sourceGradient, source, sourceGradient),
            ]
            if let (workspaceLayout, buffer) = workspace {
                arguments.append(Argument(.workspace, workspaceLayout, buffer))
            }
            backward.execute(arguments)
            self.accumulateGradient(sourceGradient, layout: source)
        }
    }
}
