# Sourced by the build scripts after they set repo_root: ccache settings that let clones and
# worktrees side by side share hits. Debug info names no absolute folder (CMakeLists.txt maps it),
# so objects need not be hashed with the build folder either (CCACHE_NOHASHDIR).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$repo_root")}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
