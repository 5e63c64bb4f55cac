# Sourced by the build scripts after they set repo_root: ccache settings that let clones and
# worktrees side by side share hits. Debug info names no absolute folder (CMakeLists.txt maps it),
# so objects need not be hashed with the build folder either (CCACHE_NOHASHDIR).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$repo_root")}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
# Compiler messages in another language are the only thing the locale changes, so the locale is left
# out of the hash (ccache hashes LANG and LC_* by default): builds under different locales, such as
# the image's build stage (no LANG) and the host's build/, share objects (deploy/docker/test-image.sh).
export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-locale}"
