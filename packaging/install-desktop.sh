#!/bin/sh
# Add refman to the desktop for the current user: the menu entry, the icons, the MEDLINE file
# type (.nbib and PubMed .txt exports open in refman) and the software-centre metadata.
#
#   install-desktop.sh [--prefix DIR] [--exec PROGRAM]
#
# The files go to DIR/share; by default to $XDG_DATA_HOME (~/.local/share), for this user only
# (system-wide: --prefix /usr/local, as root). PROGRAM is what the menu entry
# runs: by default the refman next to this script (the packaged application), else the refman
# on PATH (an installed Python package). Works from the packaged folder (files in ./desktop)
# and from a checkout (files in ../resources).
set -eu

APP_ID=io.github.refman.Refman
here=$(cd "$(dirname "$0")" && pwd)
share="${XDG_DATA_HOME:-$HOME/.local/share}"
program=""
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) share="$2/share"; shift 2 ;;
        --exec) program="$2"; shift 2 ;;
        *) echo "usage: $0 [--prefix DIR] [--exec PROGRAM]" >&2; exit 2 ;;
    esac
done

if [ -d "$here/desktop" ]; then source="$here/desktop"; else source="$here/../resources"; fi
if [ -z "$program" ]; then
    if [ -x "$here/refman" ]; then program="$here/refman"; else program=$(command -v refman || true); fi
fi
if [ -z "$program" ]; then
    echo "refman is not on PATH: name it with --exec PROGRAM" >&2
    exit 1
fi

mkdir -p "$share/applications" "$share/metainfo" "$share/mime/packages" "$share/icons"
# The entry runs this program by its full path: a folder unpacked anywhere is not on PATH.
sed -e "s|^Exec=refman |Exec=\"$program\" |" -e "s|^TryExec=refman\$|TryExec=$program|" \
    "$source/$APP_ID.desktop" > "$share/applications/$APP_ID.desktop"
cp "$source/$APP_ID.metainfo.xml" "$share/metainfo/"
cp "$source/refman-medline.xml" "$share/mime/packages/"
cp -R "$source/icons/hicolor" "$share/icons/"

# Refresh the desktop's caches; each tool is optional (missing on minimal systems).
if command -v update-mime-database >/dev/null; then update-mime-database "$share/mime"; fi
if command -v update-desktop-database >/dev/null; then
    update-desktop-database "$share/applications"
fi
# An icon cache is only refreshed, never made: a user's folder usually has none, and a cache
# that later installs do not update hides their icons.
if [ -f "$share/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null
then
    gtk-update-icon-cache -q "$share/icons/hicolor" || true
fi
echo "refman added to the desktop in $share (runs $program)"
