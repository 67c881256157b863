import CGDAL
import Foundation

extension Dataset {
    /// Whether every block the file's directory lists lies inside the file,
    /// so that reads will not fail on a file cut short by a full disk or a
    /// killed copy.
    ///
    /// For GeoTIFFs, compares each block's end (the `BLOCK_OFFSET_x_y` and
    /// `BLOCK_SIZE_x_y` items of GDAL's `TIFF` metadata domain, read with
    /// `GDALGetMetadataItem`) with the file size, for every band and the
    /// internal mask. This reads no pixels. Other formats, and blocks the
    /// file leaves unwritten (offset 0), count as complete.
    public var blocksLieInsideFile: Bool {
        guard driverName == "GTiff",
              let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let fileSize = (attributes[.size] as? NSNumber)?.int64Value else { return true }
        var bandHandles = (1...bands.count).map { GDALGetRasterBand(handle, Int32($0)) }
        if hasDatasetMask, let first = bandHandles.first { bandHandles.append(GDALGetMaskBand(first)) }
        let columns = (width + blockSize.width - 1) / max(blockSize.width, 1)
        let rows = (height + blockSize.height - 1) / max(blockSize.height, 1)
        for band in bandHandles {
            for row in 0..<rows {
                for column in 0..<columns {
                    let offset = GDALGetMetadataItem(band, "BLOCK_OFFSET_\(column)_\(row)", "TIFF").flatMap { Int64(String(cString: $0)) } ?? 0
                    let size = GDALGetMetadataItem(band, "BLOCK_SIZE_\(column)_\(row)", "TIFF").flatMap { Int64(String(cString: $0)) } ?? 0
                    if offset > 0, offset + size > fileSize { return false }
                }
            }
        }
        return true
    }
}
