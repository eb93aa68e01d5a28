"""Command line: `python -m seqcore demo` and `python -m seqcore info`."""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m seqcore")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="train a small convnet on the bundled "
                                "handwritten digits")
    sub.add_parser("info", help="print the build information")
    args = parser.parse_args(argv)
    if args.command == "info":
        from seqcore._runtime import build_info
        for key, value in build_info().items():
            print(f"{key}: {value}")
        return 0
    from seqcore._demo import run_demo
    return run_demo()


if __name__ == "__main__":
    sys.exit(main())
