"""``jbsys-xl serve``, registered by the main command line; the web stack is imported only
when the page is started, so the other commands start as fast as before."""
from __future__ import annotations

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8765
DEFAULT_MAX_UPLOAD_MB = 200
DEFAULT_MAX_MEMORY_MB = 2048
MIN_MEMORY_MB = 512


def cmd_serve(args) -> int:
    from ..console import fail
    from .server import serve

    if args.max_upload < 1:
        return fail("--max-upload 应为正整数（MB）")
    if args.max_memory < MIN_MEMORY_MB:
        return fail(f"--max-memory 应不小于 {MIN_MEMORY_MB}（MB）：读取进程本身就要用约 400 MB")
    return serve(args.host, args.port, browser=not args.no_browser, max_upload=args.max_upload * 1024 * 1024,
                 max_memory=args.max_memory * 1024 * 1024)


def add_command(commands) -> None:
    help_ = "在本机浏览器中使用的页面：校验、生成分配、下载文件、导入金保数据（信创系统和 WPS 用户）"
    serve = commands.add_parser("serve", help=help_, description=help_)
    serve.add_argument("--host", default=DEFAULT_HOST, metavar="地址",
                       help=f"监听的地址（默认 {DEFAULT_HOST}：只有本机能打开；给出其他地址时同一网络中"
                            "拿到链接的人都能使用）")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="端口",
                       help=f"端口（默认 {DEFAULT_PORT}；0 表示自动选择一个空闲端口）")
    serve.add_argument("--no-browser", action="store_true", help="不自动打开浏览器")
    serve.add_argument("--max-upload", type=int, default=DEFAULT_MAX_UPLOAD_MB, metavar="MB",
                       help=f"一次上传的文件合计上限（默认 {DEFAULT_MAX_UPLOAD_MB} MB）")
    serve.add_argument("--max-memory", type=int, default=DEFAULT_MAX_MEMORY_MB, metavar="MB",
                       help=f"读取每个上传文件的进程最多使用的内存（默认 {DEFAULT_MAX_MEMORY_MB} MB）；"
                            "超过时停止读取并在页面上说明，本程序继续运行")
    serve.set_defaults(func=cmd_serve)
