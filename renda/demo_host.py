"""Whether the demo may keep DEBUG on: only when it listens on a loopback address.

DEBUG's error pages show settings, SQL and local variables to whoever triggers them, so
`bin/demo` runs `python -m renda.demo_host "$HOST"` before serving: exit status 0 for a
loopback address; otherwise 3, with a warning on stderr, and bin/demo turns DEBUG off.
"""

import ipaddress
import sys

NOT_LOOPBACK = 3

WARNING = """
  警告：HOST={host} 不是本机回环地址，演示将以 DEBUG=off 运行（调试页面会向访问者泄露设置和数据）。
  请在 ALLOWED_HOSTS 中写明访问者使用的主机名或 IP，否则页面会返回 400，例如：
      ALLOWED_HOSTS=192.168.1.10 HOST={host} bin/demo
  演示账号的密码是公开的：只在可信的网络中开放。

  WARNING: HOST={host} is not a loopback address, so the demo runs with DEBUG off (its debug
  pages would show settings and data to anyone). Set ALLOWED_HOSTS to the name or address
  people will use, or every page answers 400, e.g.
      ALLOWED_HOSTS=192.168.1.10 HOST={host} bin/demo
  The demo accounts' password is public: expose it on a trusted network only.
"""


def is_loopback(host: str) -> bool:
    host = host.strip().removeprefix("[").removesuffix("]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost may resolve anywhere
        return False


def main(argv: list[str]) -> int:
    host = argv[1] if len(argv) > 1 else ""
    if is_loopback(host):
        return 0
    print(WARNING.format(host=host), file=sys.stderr)
    return NOT_LOOPBACK


if __name__ == "__main__":
    sys.exit(main(sys.argv))
