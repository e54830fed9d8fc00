# End-to-end tests for dynamo-emu. Run from the repository root:
#   python3 -m unittest discover -s tests/e2e/python -v
