#!/usr/bin/env bash
# Installs the Debian packages Shoreline builds against, when any is missing:
# GDAL (libgdal-dev, and gdal-bin for gdalinfo) and oneDNN (libdnnl-dev).
set -euo pipefail

packages=(libgdal-dev gdal-bin libdnnl-dev pkg-config)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

echo "installing Debian packages: ${missing[*]}" >&2
sudo_command=()
if [ "$(id -u)" -ne 0 ]; then
    sudo_command=(sudo)
fi
"${sudo_command[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_command[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
