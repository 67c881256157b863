import CGDAL

extension Dataset {
    /// Reads a window of named bands into a typed buffer with a validity mask
    /// (`GDALDatasetRasterIOEx`, and `GDALGetMaskBand` when the file has a mask).
    ///
    /// The window may reach past the scene (a boundless read): pixels outside
    /// are invalid and hold `fill`, never data. GDAL converts samples to
    /// `Sample` when the file stores another type.
    /// - Parameters:
    ///   - bands: band names in the order wanted; nil reads every band in file order.
    ///   - window: the pixels to read, in scene pixel coordinates.
    ///   - fill: the sample value written where pixels are invalid.
    ///   - rule: which pixels count as invalid.
    /// - Throws: `GeoRasterError` for unknown band names or failed reads
    ///   (a truncated or corrupt file).
    // Specialised for every sample type, because callers in other modules
    // would otherwise run the pixel loops through generic witness calls.
    @_specialize(exported: true, where Sample == UInt8)
    @_specialize(exported: true, where Sample == UInt16)
    @_specialize(exported: true, where Sample == Int16)
    @_specialize(exported: true, where Sample == UInt32)
    @_specialize(exported: true, where Sample == Int32)
    @_specialize(exported: true, where Sample == Float)
    @_specialize(exported: true, where Sample == Double)
    public func read<Sample: RasterSample>(
        bands names: [String]? = nil, window: Window, as type: Sample.Type = Sample.self,
        fill: Sample = 0, rule: ValidityRule = .standard
    ) throws -> RasterBlock<Sample> {
        let names = names ?? bandNames
        var indices = try bandIndices(names)
        let pixelCount = window.pixelCount
        var samples = [Sample](repeating: fill, count: names.count * pixelCount)
        var validity = [Bool](repeating: false, count: pixelCount)
        guard let inside = window.intersection(with: fullWindow) else {
            return RasterBlock(window: window, bandNames: names, samples: samples, validity: validity)
        }

        // Read the part inside the scene into its place in the buffer.
        let sampleSize = MemoryLayout<Sample>.stride
        let insideStart = (inside.rowOffset - window.rowOffset) * window.width + (inside.columnOffset - window.columnOffset)
        GDALLibrary.resetError()
        let status = samples.withUnsafeMutableBufferPointer { buffer in
            GDALDatasetRasterIOEx(
                handle, GF_Read,
                Int32(inside.columnOffset), Int32(inside.rowOffset), Int32(inside.width), Int32(inside.height),
                buffer.baseAddress! + insideStart, Int32(inside.width), Int32(inside.height),
                Sample.rasterDataType.gdalType, Int32(names.count), &indices,
                GSpacing(sampleSize), GSpacing(window.width * sampleSize), GSpacing(pixelCount * sampleSize), nil)
        }
        guard status == CE_None else {
            throw GDALLibrary.error(.readFailed, path: path,
                                    message: "cannot read window \(inside) of scene '\(path)'",
                                    fix: "the file may be truncated or corrupt: re-download or re-export it")
        }
        for row in inside.rowOffset..<inside.rowEnd {
            let start = (row - window.rowOffset) * window.width + (inside.columnOffset - window.columnOffset)
            for index in start..<(start + inside.width) { validity[index] = true }
        }

        // Apply the file's mask, then the nodata and all-zero rules.
        if hasDatasetMask {
            let mask = try readDatasetMask(inside)
            for row in 0..<inside.height {
                let target = (row + inside.rowOffset - window.rowOffset) * window.width + (inside.columnOffset - window.columnOffset)
                for column in 0..<inside.width where mask[row * inside.width + column] == 0 {
                    validity[target + column] = false
                }
            }
        }
        let nodataValues: [Sample?] = indices.map { index in
            self.bands[Int(index) - 1].nodata.flatMap { Sample(nodata: $0) }
        }
        let checkNodata = rule.nodataInAnyBandIsInvalid && nodataValues.contains { $0 != nil }
        let checkZero = rule.zeroInAllBandsIsInvalid && indices.allSatisfy { self.bands[Int($0) - 1].dataType.isInteger }
        let checkFinite = rule.nonFiniteInAnyBandIsInvalid && !Sample.rasterDataType.isInteger
        if checkNodata || checkZero || checkFinite {
            let zero: Sample = 0
            samples.withUnsafeBufferPointer { buffer in
                for pixel in 0..<pixelCount where validity[pixel] {
                    var allZero = true
                    for band in 0..<names.count {
                        let value = buffer[band * pixelCount + pixel]
                        if checkFinite, !value.isFiniteSample {
                            validity[pixel] = false
                            break
                        }
                        if checkNodata, let nodata = nodataValues[band],
                           value == nodata || (nodata.isNaNSample && value.isNaNSample) {
                            validity[pixel] = false
                            break
                        }
                        if value != zero { allZero = false }
                    }
                    if checkZero, allZero, validity[pixel] { validity[pixel] = false }
                }
            }
        }

        // Invalid pixels hold the fill value, so no stale data leaks out.
        for pixel in 0..<pixelCount where !validity[pixel] {
            for band in 0..<names.count { samples[band * pixelCount + pixel] = fill }
        }
        return RasterBlock(window: window, bandNames: names, samples: samples, validity: validity)
    }

    /// Reads the dataset mask (0 invalid, non-zero valid) of a window inside the scene.
    private func readDatasetMask(_ window: Window) throws -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: window.pixelCount)
        let maskBand = GDALGetMaskBand(GDALGetRasterBand(handle, 1))
        GDALLibrary.resetError()
        let status = mask.withUnsafeMutableBufferPointer { buffer in
            GDALRasterIO(maskBand, GF_Read, Int32(window.columnOffset), Int32(window.rowOffset),
                         Int32(window.width), Int32(window.height), buffer.baseAddress,
                         Int32(window.width), Int32(window.height), GDT_Byte, 0, 0)
        }
        guard status == CE_None else {
            throw GDALLibrary.error(.readFailed, path: path,
                                    message: "cannot read the mask of window \(window) of scene '\(path)'",
                                    fix: "the file may be truncated or corrupt: re-download or re-export it")
        }
        return mask
    }
}
