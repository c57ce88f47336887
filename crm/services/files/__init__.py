"""Evidence files (佐证材料): the safe store on disk (store), the rows that attach files to records
and who may see them (evidence), and the administrator's rule of which stage moves need a file
(rules)."""
