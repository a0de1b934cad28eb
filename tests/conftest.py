"""Every test runs at one fixed moment: outputs state the run's date (documents.md §0), and
SOURCE_DATE_EPOCH — which commands started by the tests inherit — makes them reproducible."""
import os

FIXED_MOMENT = "1734660000"  # 2024-12-20 10:00 Beijing time
os.environ["SOURCE_DATE_EPOCH"] = FIXED_MOMENT
