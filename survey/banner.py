"""Printed by `make run` before the server starts: where to go, how to log in."""

import os

from survey.services.demo import DEMO_SLUG, iter_demo_logins

# Where gunicorn listens (gunicorn.conf.py reads the same variable).
BASE = "http://" + os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")


def main() -> None:
    print("\nCitizen-satisfaction survey platform")
    print(f"  Citizens (public form): {BASE}/s/{DEMO_SLUG}/P-SAI-GON")
    print(f"  Survey list:            {BASE}/")
    print(f"  Administration:         {BASE}/admin/")
    print(f"  Results:                {BASE}/results/")
    print(f"  Two-minute form (QR):   {BASE}/s/{DEMO_SLUG}-ngan/P-SAI-GON")
    print(f"  Health check:           {BASE}/healthz")
    print("  Demo logins (e-mail / password / role / scope):")
    for email, password, role, unit in iter_demo_logins():
        print(f"    {email:24} {password:20} {role:9} {unit}")
    print()


if __name__ == "__main__":
    main()
