extension Tensor {
    /// Tensors joined along the channel axis (axis 1), as `torch.cat(dim=1)`.
    /// - Parameter parts: `[N, C_i, H, W]` each (or `[N, C_i]`), same N, H, W.
    /// - Returns: `[N, Σ C_i, H, W]`.
    public static func concatenatingChannels(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "channel concatenation needs at least one tensor")
        let first = parts[0].shape
        precondition(first.count >= 2, "channel concatenation needs at least 2 dimensions, got \(first)")
        for part in parts {
            precondition(part.shape.count == first.count && part.shape[0] == first[0] && part.shape[2...] == first[2...],
                         "channel concatenation needs equal sizes except channels, got \(first) and \(part.shape)")
        }
        let n = first[0], plane = first[2...].reduce(1, *)
        let channels = parts.map { $0.shape[1] }, total = channels.reduce(0, +)
        var outputShape = first
        outputShape[1] = total
        let output = Tensor.zeros(outputShape)

        // Per sample, each part's channels are one contiguous block.
        var offset = 0
        for (part, c) in zip(parts, channels) {
            for sample in 0..<n {
                (output.storage.pointer + (sample * total + offset) * plane)
                    .update(from: part.plain.pointer + sample * c * plane, count: c * plane)
            }
            offset += c
        }
        return output.recorded("channel concatenation", inputs: parts) { gradient in
            var offset = 0
            for (part, c) in zip(parts, channels) {
                if part.requiresGradient {
                    let slice = Storage(count: part.count)
                    for sample in 0..<n {
                        (slice.pointer + sample * c * plane)
                            .update(from: gradient.pointer + (sample * total + offset) * plane, count: c * plane)
                    }
                    part.accumulateGradient(slice)
                }
                offset += c
            }
        }
    }

    /// Gathers the channel vectors of the valid pixels, one row per pixel, in
    /// row-major pixel order (sample, row, column).
    /// - Parameter valid: `N · H · W` flags, true where a pixel counts.
    /// - Returns: `[M, C]`, M the number of valid pixels.
    public func selectingPixels(where valid: [Bool]) -> Tensor {
        precondition(shape.count == 4, "pixel selection needs [N, C, H, W], got \(shape)")
        let (n, c, plane) = (shape[0], shape[1], shape[2] * shape[3])
        precondition(valid.count == n * plane, "pixel selection needs \(n * plane) flags for shape \(shape), got \(valid.count)")
        var sources: [Int] = []  // offset of channel 0 of each valid pixel
        sources.reserveCapacity(valid.count)
        for sample in 0..<n {
            for pixel in 0..<plane where valid[sample * plane + pixel] {
                sources.append(sample * c * plane + pixel)
            }
        }
        let m = sources.count
        let output = Tensor.zeros([m, c])
        let input = plain.pointer, result = output.storage.pointer
        for (row, source) in sources.enumerated() {
            for channel in 0..<c { result[row * c + channel] = input[source + channel * plane] }
        }
        return output.recorded("pixel selection", inputs: [self]) { [self] gradient in
            let scattered = Storage(count: self.count)
            for (row, source) in sources.enumerated() {
                for channel in 0..<c { scattered.pointer[source + channel * plane] += gradient.pointer[row * c + channel] }
            }
            self.accumulateGradient(scattered)
        }
    }
}
